"""Domain errors: services raise these, pages and routes turn them into messages and status codes."""


class DomainError(Exception):
    """Base of every error a guest or staff member may be shown; the text is safe to display.

    The text is English (staff pages show it as is); `message_id` names the same message in the guest
    catalogues (`hygate_app/locales`), so a guest page shows it in the guest's language.
    """

    def __init__(self, *args: object, message_id: str | None = None) -> None:
        super().__init__(*args)
        self.message_id = message_id


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


class RetryLater(Exception):
    """A transient integration error inside a job: let RQ run the job again (not shown to anyone)."""
