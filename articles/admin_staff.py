"""Staff accounts in the admin: Django's user pages, with the language each person chose for the desk.

Imported from the end of articles/admin.py. A person chooses their language with the admin's language menu
(newsroom/staff_language.py); whoever manages accounts sees it here and can set it for them.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from articles.models import StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    fields = ("language",)
    can_delete = False
    max_num = 1


# django.contrib.auth comes before this app in INSTALLED_APPS, so its user admin is registered already.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffUserAdmin(UserAdmin):
    """Django's user admin, with the person's language of the desk below their account."""

    inlines = [*UserAdmin.inlines, StaffProfileInline]
