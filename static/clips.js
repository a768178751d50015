// Moving images in a grid: each plays while the pointer (or focus) is on it.
document.querySelectorAll("video.clip").forEach((video) => {
  const link = video.closest("a") || video;
  const play = () => video.play().catch(() => {});
  const stop = () => { video.pause(); video.currentTime = 0; };
  link.addEventListener("mouseenter", play);
  link.addEventListener("focus", play);
  link.addEventListener("mouseleave", stop);
  link.addEventListener("blur", stop);
});
