"""The app shell. This file only lets the wheel carry pwa/ as the package haven.pwa."""
