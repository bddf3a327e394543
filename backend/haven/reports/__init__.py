"""Reports for case conferences, governors and Ofsted, and the patterns a list of incidents
hides: figures as JSON, CSV and PDF, each with its charts (charts.py) drawn once for the
PDF (pdf.py) and the screen (SVG). Every report needs an elevated key holder and is
audited."""
