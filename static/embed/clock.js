const clock = document.getElementById("clock");
const tick = () => {
  clock.textContent = new Date().toLocaleTimeString("pt-BR");
};
tick();
setInterval(tick, 1000);
