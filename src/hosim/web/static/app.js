// hosim web app: the only script. Pages work without it; it reloads a chooser when its choice changes and
// follows a running job's progress, reloading the page when the job has finished.
"use strict";
// A chooser reloads at once when picked with a pointer; from the keyboard (where arrowing through the
// options fires change) its Choose button does it.
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("keydown", () => { select.dataset.keyed = "1"; });
  select.addEventListener("pointerdown", () => { delete select.dataset.keyed; });
  select.addEventListener("change", () => { if (!select.dataset.keyed) select.form.submit(); });
});

const job = document.getElementById("job");
if (job && ["queued", "running"].includes(job.dataset.status)) {
  const bar = document.getElementById("job-progress");
  const text = document.getElementById("job-progress-text");
  const status = document.getElementById("job-status");
  const poll = async () => {
    try {
      const answer = await fetch(`/api/jobs/${job.dataset.job}`, { headers: { Accept: "application/json" } });
      if (!answer.ok) { window.location.reload(); return; }
      const state = await answer.json();
      status.textContent = state.status;
      if (state.progress.total > 0) {
        bar.max = state.progress.total;
        bar.value = state.progress.done;
        text.textContent = `${state.progress.done} of ${state.progress.total} steps`;
      }
      if (!["queued", "running"].includes(state.status)) { window.location.reload(); return; }
    } catch (error) { /* the server may be busy: try again */ }
    setTimeout(poll, 700);
  };
  setTimeout(poll, 300);
}
