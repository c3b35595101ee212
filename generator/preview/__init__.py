"""`newsgen serve`: the site kept in memory and rebuilt per edit; watchdog → debounce →
rebuild → the browser told to reload."""
