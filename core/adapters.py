from allauth.account.adapter import DefaultAccountAdapter

from core.client_ip import client_ip


class StaffOnlyAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by the secretariat; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # allauth's rate limits (failed logins, password resets) key on this: the same rule as the portal's limits,
        # behind the trusted proxy of KS_TRUSTED_PROXIES (core.client_ip).
        return client_ip(request)
