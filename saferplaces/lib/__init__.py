"""The toolbox every app uses, below the apps (as healthchecks keeps
``hc/lib``): downloads, the analytic store's handle, form fields, HTTP
method marks, request limits, the page cache, the GOV.UK form renderer
and template tags. It may import the bottom
layer (``codes``, ``vocabulary``) and ``analytics``, never an app or ``web``
(tests/test_layering.py)."""
