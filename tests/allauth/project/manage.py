#!/usr/bin/env python3
"""A throwaway django-allauth site for tests/browser/allauth.test.mjs.

    ALLAUTH_SITE_DIR=/tmp/x .venv/bin/python tests/allauth/project/manage.py migrate
    ALLAUTH_SITE_DIR=/tmp/x .venv/bin/python tests/allauth/project/manage.py runserver --noreload 127.0.0.1:8000

then browse http://localhost:8000/accounts/signup/ (see allauthsite/settings.py for the switches).
"""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allauthsite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
