"""Personal data of a household: encryption, look-up hashes and masks.

The only module that encrypts or decrypts a household's name or ID number.
Nothing here logs; nothing here puts a plain value in an exception.
"""
from flask import current_app
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.households.crypto import IdNumberCipher
from marketplace.households.id_numbers import mask_id_number, mask_name, normalize_id_number
from marketplace.households.models import Household

EXTENSION_KEY = "household_cipher"


def cipher() -> IdNumberCipher:
    """The app's cipher, built once from ``HOUSEHOLD_ID_KEY`` and cached on ``app.extensions``."""
    app = current_app._get_current_object()
    found = app.extensions.get(EXTENSION_KEY)
    if found is None:
        found = app.extensions[EXTENSION_KEY] = IdNumberCipher.from_config(app.config["HOUSEHOLD_ID_KEY"])
    return found


def install_cipher(app) -> None:
    """Build the cipher at start-up: a bad ``HOUSEHOLD_ID_KEY`` stops the app (RuntimeError naming it)
    instead of passing ``/readyz`` and answering 500 on every household request."""
    try:
        app.extensions[EXTENSION_KEY] = IdNumberCipher.from_config(app.config["HOUSEHOLD_ID_KEY"])
    except ValueError as exc:
        raise RuntimeError(f"cannot start: {exc}") from None


#: Domain separation: a name's look-up hash can never equal an ID number's.
NAME_HASH_PREFIX = "name:"


def set_head_name(household: Household, name: str) -> None:
    name = name.strip()
    household.head_name_enc = cipher().encrypt(name)
    household.head_name_masked = mask_name(name)
    household.head_name_hash = cipher().lookup_hash(NAME_HASH_PREFIX + name)


def name_hashes(name: str) -> list[str]:
    """The name's look-up hash under every configured key (exact full-name search)."""
    return cipher().lookup_hashes(NAME_HASH_PREFIX + name.strip())


def set_id_number(household: Household, id_number: str) -> None:
    """Store a (validated) ID number: encrypted, hashed under the newest key, masked."""
    id_number = normalize_id_number(id_number)
    household.id_number_enc = cipher().encrypt(id_number)
    household.id_number_hash = cipher().lookup_hash(id_number)
    household.id_number_masked = mask_id_number(id_number)


def id_number_hashes(id_number: str) -> list[str]:
    """The look-up hash under every configured key (rows hashed before a rotation still match)."""
    return cipher().lookup_hashes(normalize_id_number(id_number))


def find_by_id_number(id_number: str) -> Household | None:
    """The household holding this ID number, by keyed hash (never a decrypt scan)."""
    return db.session.scalar(select(Household).where(Household.id_number_hash.in_(id_number_hashes(id_number))))


def head_name(household: Household) -> str:
    """The head's name in clear: only for admins inside their scope."""
    return cipher().decrypt(household.head_name_enc)


def id_number(household: Household) -> str:
    """The ID number in clear (key rotation and exports to other departments only; never in responses)."""
    return cipher().decrypt(household.id_number_enc)


def rotate(household: Household) -> None:
    """Re-encrypt under the newest key and recompute the look-up hashes."""
    set_id_number(household, id_number(household))
    set_head_name(household, head_name(household))


def masked_household(household: Household) -> dict:
    """The masked form every non-admin output uses: {id, village_code, head_name, id_number, members}."""
    return {"id": household.id, "village_code": household.village_code, "head_name": household.head_name_masked,
            "id_number": household.id_number_masked, "members": household.members}


def household_view(household: Household, *, full_name: bool, registry: bool = True) -> dict:
    """A household for a response: ID number always masked; the name in clear only if ``full_name``."""
    view = masked_household(household)
    if full_name:
        view["head_name"] = head_name(household)
    view.update(status=household.status, lifted_year=household.lifted_year,
                baseline_income_per_capita_fen=household.baseline_income_per_capita_fen,
                created_at=household.created_at, updated_at=household.updated_at)
    if registry:
        view["registry_no"] = household.registry_no
    return view
