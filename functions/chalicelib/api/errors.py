"""Errors as answers: the one table from error to HTTP status, the message each
error says in the caller's language, and the middleware that puts Chalice's own
errors (405, 415, its 400s and 500) into the same shape:

    {"error": {"code": "<stable word>", "message": "<for people>"}}
"""

import logging

from chalice import Response

from .. import bootstrap
from ..domain.errors import (
    AlreadyExists, DomainError, Forbidden, IllegalTransition, InvalidInput, NotFound, StaleVersion,
    TooManyRequests, Unauthenticated,
)
from ..i18n import N_, translate
from ..services.auth import EmailUnavailable, SmsUnavailable
from .language import requested_language

log = logging.getLogger(__name__)


class BadJson(DomainError):
    code = "bad_json"


class TooLarge(DomainError):
    code = "too_large"


STATUS = {
    BadJson: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    IllegalTransition: 409,
    StaleVersion: 409,
    AlreadyExists: 409,
    TooLarge: 413,
    InvalidInput: 422,
    TooManyRequests: 429,
    SmsUnavailable: 503,
    EmailUnavailable: 503,
    # A domain error no row above names is still the caller's mistake, never a 500.
    DomainError: 400,
}

# Open311's clients read errors in the standard's shape (api.open311).
OPEN311_PATH = "/api/open311/"

# Chalice answers these itself, before or around our views.
CHALICE_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input",
    429: "too_many_requests", 500: "internal_error", 502: "internal_error", 504: "internal_error",
}

MESSAGES = {
    # The generic message of each kind of error.
    "domain_error": N_("The request cannot be done."),
    "invalid_input": N_("Some of the data is not valid."),
    "illegal_transition": N_("This is not possible at the ticket's current stage."),
    "stale_version": N_("The ticket has just changed. Reload it and try again."),
    "already_exists": N_("This already exists."),
    "not_found": N_("Not found."),
    "unauthenticated": N_("Please sign in."),
    "forbidden": N_("You are not allowed to do this."),
    "too_many_requests": N_("Too many requests. Try again later."),
    "conflict": N_("The request conflicts with the current state. Reload and try again."),
    # The request itself.
    "bad_request": N_("The request is not valid."),
    "bad_json": N_("The request body is not valid JSON."),
    "must_be_object": N_("The request body must be a JSON object."),
    "too_large": N_("The request is too large: at most {limit} KB."),
    "method_not_allowed": N_("This address does not accept this method."),
    "unsupported_media_type": N_("Send the request as JSON (Content-Type: application/json)."),
    "internal_error": N_("Something went wrong on our side. Please try again in a minute."),
    "bad_idempotency_key": N_("The Idempotency-Key header must be 1 to 200 visible characters."),
    "idempotency_key_reused": N_("This Idempotency-Key came with another request before. A new request needs a "
                                 "new key."),
    # Fields.
    "required": N_("Fill in “{field}”."),
    "must_be_text": N_("“{field}” must be text."),
    "too_long": N_("“{field}” is too long: at most {limit} characters."),
    "must_be_time": N_("“{field}” must be a date and time."),
    "must_be_future": N_("“{field}” must be in the future."),
    "must_be_positive_whole_number": N_("“{field}” must be a whole number above zero."),
    "must_be_coordinate": N_("“{field}” must be a number from {min} to {max}."),
    "coordinates_in_pairs": N_("Give both the latitude and the longitude, or neither."),
    "unknown_language": N_("This language is not available."),
    # Sign-in.
    "bad_phone": N_("Enter a mobile number, for example 050 123 45 67."),
    "not_mobile_phone": N_("This is not a mobile number, and SMS cannot reach it. Enter a mobile number."),
    "phone_country_not_allowed": N_("Only numbers starting with {allowed} are accepted."),
    "bad_code": N_("The code is the 6 digits from the SMS."),
    "code_expired": N_("The code has expired or was not requested. Ask for a new code."),
    "code_not_found": N_("The code has expired or was not requested. Ask for a new code."),
    "wrong_code": N_("Wrong code. Tries left: {tries_left}."),
    "too_many_wrong_codes": N_("Too many wrong tries. Ask for a new code."),
    "too_many_codes": N_("Too many codes asked for. Try again after {after}."),
    "too_many_links": N_("Too many sign-in links asked for. Try again after {after}."),
    "sms_unavailable": N_("We could not send the SMS. Please try again in a few minutes."),
    "sign_in_required": N_("Please sign in."),
    "session_expired": N_("Your session has ended. Please sign in again."),
    "user_not_found": N_("Your session has ended. Please sign in again."),
    "bad_email": N_("Enter an e-mail address, for example name@example.org."),
    "email_unavailable": N_("We could not send the e-mail. Please try again in a few minutes."),
    "bad_link": N_("This sign-in link is not complete. Open the link from the e-mail again."),
    "link_expired": N_("This sign-in link has expired or was used already. Ask for a new one."),
    "identity_in_use": N_("This is how another account signs in. Sign out first to use that account."),
    "unknown_provider": N_("This way of signing in is not available."),
    "sign_in_failed": N_("Signing in did not work. Please try again."),
    # Tickets.
    "unknown_cause": N_("Choose the problem from the list."),
    "unknown_street": N_("Choose the street from the list."),
    "ticket_not_found": N_("There is no such ticket."),
    "not_allowed": N_("You are not allowed to do this."),
    "unknown_command": N_("Unknown action."),
    "unknown_channel": N_("Unknown channel."),
    "rating_out_of_range": N_("Rate from 1 to 5."),
    "cannot_merge_into_itself": N_("A ticket cannot be merged into itself."),
    "unknown_reason": N_("Unknown reason."),
    # Personal data.
    "confirm_deletion": N_("Confirm that you want the account deleted."),
    "too_many_exports": N_("Too many downloads of your data. Try again after {after}."),
    "contact_removed": N_("The reporter's personal data has been removed: there is no contact to show."),
    "must_be_true_or_false": N_("“{field}” must be true or false."),
    "staff_not_found": N_("There is no such staff account."),
    # Staff sign-in and accounts.
    "wrong_login": N_("Wrong username or password."),
    "totp_required": N_("Enter the 6-digit code from your authenticator app."),
    "wrong_totp": N_("Wrong code from the authenticator app. Check the time on your phone and try again."),
    "account_locked": N_("Too many wrong tries: the account is locked until {after}."),
    "too_many_logins": N_("Too many sign-in attempts. Try again after {after}."),
    "wrong_password": N_("The current password is wrong."),
    "too_short": N_("“{field}” is too short: at least {limit} characters."),
    "bad_username": N_("A username is 3 to 40 Latin letters, digits, dots, hyphens or underscores."),
    "username_taken": N_("This username is taken."),
    "unknown_role": N_("Choose a role from the list."),
    "not_an_executor": N_("Choose an executor organisation from the list."),
    "organisation_only_for_executors": N_("Only an executor's account belongs to an organisation."),
    "bad_totp_secret": N_("This key is not valid. Start turning on two-step sign-in again."),
    "totp_on_already": N_("Two-step sign-in is on already. Turn it off first."),
    "account_changed": N_("The account has just changed. Reload it and try again."),
    "own_account": N_("You cannot switch off your own account or take away its admin role."),
    "own_secrets": N_("Change your own password or two-step sign-in on your account page."),
    # Staff tickets.
    "must_be_whole_number": N_("“{field}” must be a whole number."),
    "must_be_whole_number_between": N_("“{field}” must be a whole number from {min} to {max}."),
    "must_be_date": N_("“{field}” must be a date such as 2026-11-23."),
    "unknown_state": N_("Choose the status from the list."),
    "unknown_organisation": N_("Choose the organisation from the list."),
    "unknown_order": N_("Sort by the deadline ascending (asc) or descending (desc)."),
    "bad_cursor": N_("This page of the list is not valid. Start from the first page."),
    "unknown_ticket_number": N_("There is no ticket with this number."),
    "merge_into_closed": N_("That ticket is no longer open: merge into an open one."),
    # Photos.
    "photo_not_image": N_("This file is not a photo. Choose a JPEG, PNG or WebP image."),
    "photo_too_large": N_("The photo is too large: at most {limit} MB."),
    "photo_missing": N_("The photo did not arrive. Add it again."),
    "photo_not_yours": N_("This photo was not uploaded from your account. Add it again."),
    "too_many_photos": N_("At most {limit} photos."),
    "too_many_uploads": N_("Too many photos uploaded. Try again after {after}."),
    "upload_not_allowed": N_("The photo upload was refused. Add the photo again."),
    "upload_expired": N_("The time to upload the photo ran out. Add the photo again."),
    # Outage notices.
    "outage_not_found": N_("There is no such outage notice."),
    "outage_changed": N_("The outage notice has just changed. Reload it and try again."),
    "outage_closed": N_("This outage notice is closed and can no longer be changed."),
    "unknown_outage_kind": N_("Choose what is off from the list."),
    "unknown_outage_state": N_("Show active, closed or all outage notices."),
    "end_before_start": N_("The expected end must be later than the start."),
    "must_be_list": N_("“{field}” must be a list."),
    "too_many_items": N_("“{field}”: at most {limit}."),
    # Organisations, the catalogue, the building registry.
    "organisation_not_found": N_("There is no such organisation."),
    "organisation_exists": N_("An organisation with this code exists already."),
    "bad_organisation_code": N_("A code is 2 to 60 lowercase Latin letters, digits or hyphens."),
    "unknown_organisation_kind": N_("Choose the kind of organisation from the list."),
    "supervisor_not_department": N_("The supervisor must be a department."),
    "bad_organisation_phone": N_("Enter the phone number in international form, for example +380567000110."),
    "unknown_topic": N_("Choose the topics from the list."),
    "organisation_in_use": N_("Tickets, buildings or accounts rely on this organisation's kind: it cannot change."),
    "cause_not_found": N_("There is no such problem in the catalogue."),
    "unknown_sla_class": N_("Choose the deadline class from the list."),
    "unknown_scope": N_("Choose the routing from the list."),
    "csv_header": N_("The first line must name the columns: {columns}."),
    "csv_columns": N_("Line {line}: a line must have {count} columns."),
    "csv_unknown_street": N_("Line {line}: there is no street “{value}”."),
    "csv_bad_house": N_("Line {line}: the house number is missing or longer than {limit} characters."),
    "csv_unknown_district": N_("Line {line}: there is no district “{value}”."),
    "csv_unknown_company": N_("Line {line}: “{value}” is no executor organisation."),
    "csv_duplicate_building": N_("Line {line}: this building is on line {first} already."),
    "csv_unreadable": N_("Line {line}: the line cannot be read (check the quotes)."),
    "csv_no_buildings": N_("The file lists no buildings."),
    # Open311 keys.
    "open311_key_not_found": N_("There is no such Open311 key."),
    # Open311.
    "open311_bad_key": N_("The API key is missing or not valid. Send the key the city gave you as api_key."),
    "unknown_service": N_("There is no such service_code: GET services lists them."),
    "location_required": N_("Give the place: address_id or address_string (lat and long may go with either)."),
    "coordinates_without_address": N_("The city's address register has no coordinates yet: give address_id or "
                                      "address_string besides lat and long."),
    "unknown_address_id": N_("There is no such address_id. It is a street's code (GET /api/streets?q= finds it), "
                             "a colon and the house number."),
    "unknown_address": N_("The address was not recognised: write the street's full name and the house number, "
                          "or give address_id."),
    "bad_media_url": N_("“{field}” must be an http:// or https:// address of at most {limit} characters."),
    "media_upload_refused": N_("Photos are not uploaded through this API: give media_url, a link to the photo."),
    "bad_form": N_("The request body must be a form in UTF-8 (application/x-www-form-urlencoded or "
                   "multipart/form-data)."),
    "too_many_filings": N_("Too many requests filed with this key. Try again after {after}."),
    "token_not_found": N_("There is no such token: this API answers a new request with its number at once."),
    "must_be_zoned_time": N_("“{field}” must be a date and time with its time zone, for example "
                             "2026-11-23T10:00:00Z or 2026-11-23T12:00:00+02:00."),
    "end_before_start_date": N_("end_date must not be earlier than start_date."),
    "range_too_long": N_("From start_date to end_date is at most {days} days."),
    "unknown_request_status": N_("The status is open or closed, or both: open,closed."),
    # The outbox.
    "message_not_found": N_("There is no such message."),
    "message_not_dead": N_("Only a message that could not be sent can be sent again."),
}

# What `{field}` says in a message.
FIELDS = {
    "phone": N_("phone number"),
    "email": N_("e-mail address"),
    "token": N_("sign-in link"),
    "code": N_("code"),
    "cause": N_("problem"),
    "address": N_("address"),
    "address.street": N_("street"),
    "address.house": N_("house"),
    "address.entrance": N_("entrance"),
    "address.flat": N_("flat"),
    "address.note": N_("how to find it"),
    "description": N_("description"),
    "lat": N_("latitude"),
    "lon": N_("longitude"),
    "photos": N_("photos"),
    "content_type": N_("file type"),
    "size": N_("file size"),
    "filename": N_("file name"),
    "file": N_("file"),
    "text": N_("text"),
    "reason": N_("reason"),
    "language": N_("language"),
    "status_sms": N_("SMS about my tickets"),
    "body": N_("request body"),
    "due_at": N_("due date"),
    "amount": N_("amount"),
    "score": N_("rating"),
    "stars": N_("rating"),
    "comment": N_("comment"),
    "street": N_("street"),
    "house": N_("house"),
    "into": N_("ticket to merge into"),
    "public": N_("publish the description"),
    "organisation": N_("organisation"),
    "channel": N_("channel"),
    "username": N_("username"),
    "password": N_("password"),
    "current": N_("current password"),
    "new": N_("new password"),
    "name": N_("name"),
    "role": N_("role"),
    "secret": N_("key"),
    "version": N_("version"),
    "active": N_("active"),
    "reset_password": N_("reset the password"),
    "unlock": N_("unlock"),
    "totp_off": N_("turn two-step sign-in off"),
    "kind": N_("kind"),
    "area": N_("area"),
    "addresses": N_("addresses"),
    "houses": N_("houses"),
    "starts_at": N_("start"),
    "expected_end": N_("expected end"),
    "closed": N_("closed"),
    "state": N_("state"),
    "name.uk": N_("name in Ukrainian"),
    "name.ru": N_("name in Russian"),
    "name.en": N_("name in English"),
    "supervisor": N_("supervisor"),
    "topics": N_("topics"),
    "sla_class": N_("deadline class"),
    "scope": N_("routing"),
    "csv": N_("CSV file"),
    "note": N_("note"),
    "caller": N_("caller"),
    "caller.name": N_("caller's name"),
    "caller.language": N_("caller's language"),
    "topic": N_("topic"),
    "from": N_("filed from"),
    "to": N_("filed until"),
    "overdue": N_("overdue"),
    "limit": N_("tickets per page"),
    "order": N_("order"),
    "after": N_("page"),
    "confirm": N_("confirmation"),
    "ticket": N_("ticket number"),
}


def status_of(error: DomainError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def answer_for(error: DomainError, lang: str) -> Response:
    code = error.message_id if error.message_id in MESSAGES else error.code
    params = dict(error.params)
    if params.get("field"):
        field = params["field"]
        params["field"] = translate(lang, FIELDS[field]) if field in FIELDS else field
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return body(status_of(error), code, lang, headers=headers, **params)


def body(status: int, code: str, lang: str, headers: dict | None = None, **params) -> Response:
    message = translate(lang, MESSAGES.get(code, MESSAGES["domain_error"]), **params)
    return Response(body={"error": {"code": code, "message": message}}, status_code=status, headers=headers or {})


def unknown_path(request) -> Response:
    """The answer to a path that is no route of the app."""
    return body(404, "not_found", _language(request))


def reshape_chalice_errors(request, get_response):
    """Middleware: Chalice's own error answers ({"Code", "Message"}) in our shape; and on
    Open311's paths every error answer, ours and Chalice's, in Open311's shape instead
    (api.open311.error_answer): the one place the two kinds of client part."""
    response = get_response(request)
    if isinstance(response.body, dict) and set(response.body) == {"Code", "Message"}:
        status = response.status_code
        response = body(status, CHALICE_CODES.get(status, "bad_request" if status < 500 else "internal_error"),
                        _language(request), headers=response.headers)
    if request.path.startswith(OPEN311_PATH) and isinstance(response.body, dict) and list(response.body) == ["error"]:
        from . import open311

        return open311.error_answer(request, response)
    return response


def _language(request) -> str:
    try:
        city = bootstrap.deps().city
    except Exception:
        # The dependencies cannot even be built (the error being answered, most
        # likely): the message is still due, in the language all catalogues share.
        log.exception("no city to choose the language of an error answer")
        return "en"
    if request.path.startswith(OPEN311_PATH):
        # As Open311's views speak (api.open311): `locale`, else the city's language.
        return city.language((request.query_params or {}).get("locale"))
    return requested_language(request, city)
