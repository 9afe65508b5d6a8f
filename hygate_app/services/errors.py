"""Domain errors: services raise these, pages and routes turn them into messages and status codes."""


class DomainError(Exception):
    """Base of every error a guest or staff member may be shown; the text is safe to display."""


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Conflict(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Unavailable(DomainError):
    """An integration could not do its part right now; nothing was charged or changed."""
