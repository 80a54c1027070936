// The console's few behaviours, loaded as a file so the Content-Security-Policy can forbid inline
// script: the overview's charts (Chart.js, vendored) and the copy buttons.
(function () {
  "use strict";

  const palette = ["#0b5cad", "#d1495b", "#2e8540", "#edae49", "#6a4c93", "#00798c"];

  function lineOrBar(id, type, labels, datasets, options) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign(
        {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "bottom" } },
        },
        options || {}
      ),
    });
  }

  function drawCharts() {
    const block = document.getElementById("chart-data");
    if (!block) return;
    const data = JSON.parse(block.textContent);
    lineOrBar(
      "chart-sales",
      "bar",
      data.sales.labels,
      [
        { type: "bar", label: "Receipts", data: data.sales.receipts, backgroundColor: palette[0], yAxisID: "y" },
        { type: "line", label: "Revenue", data: data.sales.revenue, borderColor: palette[1], backgroundColor: palette[1], yAxisID: "revenue" },
      ],
      { scales: { y: { beginAtZero: true, position: "left" }, revenue: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } } }
    );
    const channels = Object.keys(data.redemptions.channels);
    lineOrBar(
      "chart-redemptions",
      "bar",
      data.redemptions.labels,
      channels.map(function (name, i) {
        return { label: name, data: data.redemptions.channels[name], backgroundColor: palette[i % palette.length] };
      }),
      { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    );
    lineOrBar(
      "chart-challenges",
      "bar",
      data.challenges.labels,
      [
        { label: "Completed", data: data.challenges.completed, backgroundColor: palette[2] },
        { label: "Failed", data: data.challenges.failed, backgroundColor: palette[1] },
      ],
      { indexAxis: "y", scales: { x: { beginAtZero: true } } }
    );
    lineOrBar(
      "chart-points",
      "line",
      data.points.labels,
      [
        { label: "Issued", data: data.points.issued, borderColor: palette[0], backgroundColor: palette[0] },
        { label: "Spent", data: data.points.spent, borderColor: palette[3], backgroundColor: palette[3] },
      ],
      { scales: { y: { beginAtZero: true } } }
    );
    lineOrBar(
      "chart-webhooks",
      "bar",
      data.webhooks.labels,
      [{ label: "Failed attempts", data: data.webhooks.failures, backgroundColor: palette[1] }],
      { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    );
  }

  function copyButtons() {
    document.addEventListener("click", function (event) {
      const button = event.target.closest("[data-copy]");
      if (!button) return;
      const text = button.getAttribute("data-copy");
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    copyButtons();
  });
})();
