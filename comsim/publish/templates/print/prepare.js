async ([first, part]) => {
  // Run by comsim.publish.handouts before a report prints: every folded section but the
  // answers open, every picture decoded, and the cells of the part not printed hidden (the
  // optional part from cell `first` on, or for part "appendix" all that comes before it).
  document.querySelectorAll('details:not(.comsim-answer):not(.cp-answer)')
    .forEach(d => { d.open = true; });
  const start = first && document.getElementById('cell-id=' + first);
  if (start) {
    const cells = [...document.querySelectorAll('.jp-Cell')];
    const at = cells.indexOf(start.closest('.jp-Cell'));
    cells.forEach((cell, k) => {
      if ((part === 'appendix') !== (k >= at)) cell.classList.add('comsim-print-hidden');
    });
  }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}
