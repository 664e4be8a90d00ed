"""State changes of the learning catalogue, one module per feature. Each ``do_*`` function runs in
one transaction and takes keyword arguments only:

- ``my_learning``: staff saving, starting and completing a resource
- ``comments``: staff rating and commenting on a resource, a few an hour
- ``curation``: curators adding and editing resources, the workflow, comment moderation
- ``catalogue_csv``: the whole catalogue exported as CSV, and imported from it
"""
