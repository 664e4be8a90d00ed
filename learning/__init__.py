"""The mind-and-body learning catalogue (database "default"). Where each behaviour lives:

- ``models.py``: resources, providers, topics, objectives, learning records, comments
- ``competencies.py``: the programme's competency levels and objectives, and which levels a
  profile is recommended
- ``services/``: state changes (``my_learning``, ``comments``, ``curation``, ``catalogue_csv``)
- ``queries/``: reads (``pathway``, ``catalogue_search``, ``resource_page``, ``my_learning``,
  ``summaries``, ``curation``, ``uptake``); ``learning.queries`` itself is all the wellbeing app
  may import
- ``forms/``: ``catalogue``, ``my_learning``, ``curation``
- ``views/``: ``catalogue``, ``my_learning``, ``curation``; every route is in ``urls.py``
- ``link_checker.py``: asks a web address whether it still works, never reaching a private one
- ``tasks.py``: the beat tasks (link checks, reminders); ``reminders.py``: the reminder emails
- ``signals.py``: forgets cached searches and choices when the catalogue changes
- ``demo.py``: the sample catalogue for development; ``admin.py``: the back office

``learning`` never imports ``wellbeing``.
"""
