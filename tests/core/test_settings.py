import importlib


def test_settings_define_every_smartexpo_setting_the_code_reads():
    """The test fixtures override some settings; the settings module itself must define them."""
    module = importlib.import_module("smartexpo.settings")
    for name in (
        "SMARTEXPO_RATE_LIMIT_REGISTRATIONS",
        "SMARTEXPO_RATE_LIMIT_REQUESTS",
        "SMARTEXPO_RATE_LIMIT_TICKET_LINKS",
        "SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS",
        "SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY",
        "SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY",
        "SMARTEXPO_TRUSTED_PROXIES",
        "SMARTEXPO_BASE_URL",
        "SMARTEXPO_MAX_BODY_BYTES",
        "SMARTEXPO_DEFAULT_EXPO",
    ):
        assert hasattr(module, name), name
