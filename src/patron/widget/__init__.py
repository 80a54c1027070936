"""The end-user widget: `GET /widget.js` defines `<patron-rewards>` for a shop's own pages, and
the shop's origins (each key's allowedOrigins) are the only other sites whose pages may call."""
