"""Pages of the learning catalogue, one module per feature (routes in ``learning/urls.py``):

- ``catalogue``: your pathway, the catalogue's search, a resource's page, commenting on it
- ``my_learning``: saving, starting and completing a resource; my learning and its exports
- ``curation``: the curator pages (workflow, review dates, broken links, CSV import and export,
  comment moderation, the uptake report)
"""
