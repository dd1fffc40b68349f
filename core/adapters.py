from allauth.account.adapter import DefaultAccountAdapter


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by the secretariat; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False
