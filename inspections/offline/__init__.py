"""The offline-first field app: service worker, manifest, the inspector's data pack, the
phone's queue of inspections recorded without a connection."""
