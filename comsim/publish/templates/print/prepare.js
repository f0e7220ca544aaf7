async ([first, part]) => {
  // Run by comsim.publish.handouts before a page of the course site prints: every folded
  // section but the answers open, every picture decoded, and the part not printed hidden:
  // the optional part (the section with id `first` and the sections after it), or for part
  // "appendix" everything before that section.
  document.querySelectorAll('details:not(.comsim-answer):not(.cp-answer)')
    .forEach(d => { d.open = true; });
  const start = first && document.getElementById(first);
  if (start) {
    let before = true;
    for (const node of [...start.parentElement.children]) {
      if (node === start) before = false;
      if ((part === 'appendix') === before) node.classList.add('comsim-print-hidden');
    }
  }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
}
