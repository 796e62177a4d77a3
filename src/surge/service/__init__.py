"""The programme service: one database, many parties, each sees its own part.

``create_app(settings)`` in :mod:`surge.service.app` builds the FastAPI application; the
CLI front ends are ``surge serve``, ``surge db upgrade`` and ``surge admin create-user``.
"""
