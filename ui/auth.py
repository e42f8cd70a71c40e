"""Optional login for a shared deployment (off by default).

``SSPLAN_LOGIN=oidc``: Streamlit's own ``st.login`` against the council's identity provider (Entra ID,
ADFS, Keycloak), configured in ``.streamlit/secrets.toml`` under ``[auth]``.
``SSPLAN_LOGIN=password``: ``streamlit-authenticator`` with a credentials file
(``SSPLAN_CREDENTIALS``, default ``.streamlit/credentials.yaml``) and no ``api_key``, so no reset or
two-factor mail is sent through a third-party server.
Either way, nothing below the gate runs until the user is signed in.
"""

from __future__ import annotations

import os

import streamlit as st


def mode() -> str:
    return os.environ.get("SSPLAN_LOGIN", "off").strip().lower()


def signed_in() -> bool:
    """Draw the sign-in step if needed; True once the user may see the programme."""
    how = mode()
    if how in ("", "off"):
        return True
    if how == "oidc":
        if st.user.is_logged_in:
            st.sidebar.caption(f"Signed in as {st.user.get('name') or st.user.get('email') or 'user'}")
            st.sidebar.button("Log out", on_click=st.logout)
            return True
        st.title("ssplan")
        st.write("Sign in with your council account to see the programme.")
        st.button("Log in", on_click=st.login, type="primary")
        return False
    if how == "password":
        return _password()
    st.error(f"SSPLAN_LOGIN={how!r} is not a login mode; expected off, oidc or password.")
    return False


def _password() -> bool:
    try:
        import streamlit_authenticator as stauth
        import yaml
    except ImportError:
        st.error("SSPLAN_LOGIN=password needs streamlit-authenticator: pip install 'ssplan[auth]'.")
        return False
    path = os.environ.get("SSPLAN_CREDENTIALS", ".streamlit/credentials.yaml")
    try:
        with open(path, encoding="utf-8") as handle:
            config = yaml.safe_load(handle)
    except OSError as exc:
        st.error(f"Cannot read the credentials file {path}: {exc.strerror}.")
        return False
    authenticator = stauth.Authenticate(
        config["credentials"],
        config.get("cookie", {}).get("name", "ssplan"),
        config.get("cookie", {}).get("key", os.environ.get("SSPLAN_COOKIE_KEY", "")),
        config.get("cookie", {}).get("expiry_days", 1),
    )
    authenticator.login()
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="sidebar")
        return True
    if st.session_state.get("authentication_status") is False:
        st.error("Username or password is incorrect.")
    return False
