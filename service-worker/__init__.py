"""The service worker. This file only lets the wheel carry it as haven.service_worker."""
