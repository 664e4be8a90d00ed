"""The curator forms' old address, kept for tests/fuzz/test_form_inventory.py (outside learning):
the forms live in ``learning.forms.curation``. Remove once nothing imports this module."""

from learning.forms.curation import CatalogueImportForm, RejectCommentForm, ResourceForm

__all__ = ["CatalogueImportForm", "RejectCommentForm", "ResourceForm"]
