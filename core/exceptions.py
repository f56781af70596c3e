class ApplicationError(Exception):
    """The one domain exception. Its message is fit to show a user as it is.

    Services raise it for every refused action (a guard failing, the wrong person, the wrong stage,
    stale state, bad input) so views can show the message and nothing half-done survives.
    """

    def __init__(self, message: str, *, code: str = "refused", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message
