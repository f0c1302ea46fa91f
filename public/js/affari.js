// Small enhancements. Every page works without them.

// Error summary: move focus to it, so that screen readers announce it, and let each of its links
// focus the field it names, not only scroll to it.
(function () {
  const summary = document.getElementById('error-summary');
  if (!summary) return;

  summary.focus();
  summary.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#"]');
    if (!link) return;
    const field = document.getElementById(link.getAttribute('href').slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: 'center' });
    field.focus();
  });
})();

// Drag and drop on the pipeline board. Without JavaScript, or from the keyboard, each card's own
// form moves it, and a drop fills in that form and submits it.
(function () {
  const board = document.querySelector('[data-board]');
  if (!board) return;

  let dragged = null;
  const clearTargets = () =>
    board.querySelectorAll('.drop-target').forEach((column) => column.classList.remove('drop-target'));

  board.addEventListener('dragstart', (event) => {
    const card = event.target.closest('.board-card');
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', card.dataset.id);
  });
  board.addEventListener('dragend', () => {
    dragged = null;
    clearTargets();
  });
  board.addEventListener('dragover', (event) => {
    const column = event.target.closest('.board-column');
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    if (!column.classList.contains('drop-target')) {
      clearTargets();
      column.classList.add('drop-target');
    }
  });
  board.addEventListener('dragleave', (event) => {
    // dragleave also fires when the pointer moves onto a child of the column, so only leaving the column counts.
    const column = event.target.closest('.board-column');
    if (column && !column.contains(event.relatedTarget)) column.classList.remove('drop-target');
  });
  board.addEventListener('drop', (event) => {
    const column = event.target.closest('.board-column');
    if (!column || !dragged) return;
    event.preventDefault();
    clearTargets();

    const card = dragged;
    dragged = null;
    if (column.contains(card)) return;

    const form = card.querySelector('form.board-move');
    form.querySelector('select[name="sales_stage"]').value = column.dataset.stage;
    form.submit();
  });
})();

// Mass actions on a list: a header checkbox ticks or clears every row of the page. Without
// JavaScript the "all records on this page" choice does the same.
(function () {
  const form = document.querySelector('[data-mass-form]');
  const toggle = form && form.querySelector('[data-mass-toggle]');
  if (!toggle) return;

  const rows = () => form.querySelectorAll('input[type="checkbox"][name="ids"]');
  toggle.classList.remove('d-none');
  toggle.addEventListener('change', () => {
    rows().forEach((box) => {
      box.checked = toggle.checked;
    });
  });
  form.addEventListener('change', (event) => {
    if (event.target.name !== 'ids') return;
    const boxes = [...rows()];
    toggle.checked = boxes.every((box) => box.checked);
    toggle.indeterminate = !toggle.checked && boxes.some((box) => box.checked);
  });
})();
