import {
  LiveSchedule,
  type LiveScheduleProps,
} from "../components/LiveSchedule.tsx";

/** The schedule of a channel without the player island (embedded players): the same, hydrated. */
export default function Schedule(props: LiveScheduleProps) {
  return <LiveSchedule {...props} />;
}
