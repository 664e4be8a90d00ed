"""Forms of the learning catalogue, one module per feature:

- ``catalogue``: the catalogue's search and filters, and the comment form of a resource's page
- ``my_learning``: completing a resource
- ``curation``: a curator's resource form, rejecting a comment, uploading a catalogue CSV
  (whose rows are checked with the same resource form)
"""
