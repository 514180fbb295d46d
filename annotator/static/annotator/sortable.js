// Sort a table by the column whose heading button is clicked; numbers sort as
// numbers, empty cells ("n/a") always last. Click again to reverse.
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const body = table.tBodies[0];
  let sortedBy = null;
  let ascending = true;
  table.querySelector("thead").addEventListener("click", (event) => {
    const button = event.target.closest("[data-sort-key]");
    if (!button) return;
    const column = Number(button.dataset.sortKey);
    ascending = sortedBy === column ? !ascending : true;
    sortedBy = column;
    const rows = [...body.rows].filter((row) => row.cells.length > column);
    const key = (row) => row.cells[column].dataset.sortValue ?? row.cells[column].textContent;
    rows.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      if (x === "" || y === "") return (x === "") - (y === "");
      const [nx, ny] = [Number(x), Number(y)];
      const order = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
      return ascending ? order : -order;
    });
    body.append(...rows);
    for (const heading of table.querySelectorAll("[data-sort-key]")) {
      heading.closest("th").removeAttribute("aria-sort");
    }
    button.closest("th").setAttribute("aria-sort", ascending ? "ascending" : "descending");
  });
}
