"""Forms of the learning catalogue, one module per feature:

- ``catalogue``: the catalogue's search and filters, and the comment form of a resource's page
- ``my_learning``: completing a resource
- ``curation``: a curator's resource form, rejecting a comment, uploading a catalogue CSV
  (whose rows are checked with the same resource form)
"""

# Kept so that ``from learning import forms`` still finds the staff forms by name
# (tests/fuzz/test_form_inventory.py does).
from learning.forms.catalogue import CatalogueFilterForm, CommentForm
from learning.forms.my_learning import CompletionForm

__all__ = ["CatalogueFilterForm", "CommentForm", "CompletionForm"]
