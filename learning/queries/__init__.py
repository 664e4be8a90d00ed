"""Reads of the learning catalogue, one module per feature:

- ``catalogue_search``: the catalogue's search, facets, sorting and pages
- ``pathway``: "your pathway", the recommended levels and progress through them
- ``resource_page``: a published resource as staff see it, with comments and related resources
- ``my_learning``: a person's saved, in-progress and completed learning, and its CSV export
- ``summaries``: how a resource is described wherever it is listed
- ``curation``: the lists and counts behind the curator pages
- ``uptake``: the learning uptake report
- ``signposting``: resources the Resilience Hub signposts as self-help

This package is the learning app's public face: the wellbeing app may import from
``learning.queries`` and nothing else of learning, and only the names below.
"""

from learning.queries.signposting import resources_for_signposting

__all__ = ["resources_for_signposting"]
