// Drag and drop on the pipeline board. Without JavaScript each card's own form moves it.
(function () {
  const board = document.querySelector('[data-board]');
  if (!board) return;

  board.addEventListener('dragstart', (event) => {
    const card = event.target.closest('.board-card');
    if (card) event.dataTransfer.setData('text/plain', card.dataset.id);
  });
  board.addEventListener('dragover', (event) => {
    const column = event.target.closest('.board-column');
    if (!column) return;
    event.preventDefault();
    column.classList.add('drop-target');
  });
  board.addEventListener('dragleave', (event) => {
    const column = event.target.closest('.board-column');
    if (column) column.classList.remove('drop-target');
  });
  board.addEventListener('drop', (event) => {
    const column = event.target.closest('.board-column');
    if (!column) return;
    event.preventDefault();
    const id = event.dataTransfer.getData('text/plain');
    const form = board.querySelector(`.board-card[data-id="${CSS.escape(id)}"] form.board-move`);
    if (!form) return;
    form.querySelector('select[name="sales_stage"]').value = column.dataset.stage;
    form.submit();
  });
})();
