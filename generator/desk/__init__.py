"""The writing desk's commands besides build and serve: `check`, `status`, `new`."""
