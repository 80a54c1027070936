"""The marketers' console at /console, the offline API docs at /docs and the assets they ship:
server-rendered pages that write only through the services the API uses."""
