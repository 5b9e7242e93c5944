"""ID numbers encrypted at rest, keyed look-up hashes, key rotation."""

import base64
import hashlib
import hmac

import pytest

from marketplace.households.crypto import IdNumberCipher, IdNumberTokenError

ID_NUMBER = "11010519491231002X"
OLD_KEY = b"M1Yw6Jc0bW8dVrX3tO3c0mQ1hS9yq6vY2b0rT8kq0Xw="  # fixed: xdist needs stable test ids
NEW_KEY = b"q4Z9m2pQ7sT1vW5xY8zA3bC6dE0fG2hJ4kL7mN9pR1s="


def config(*keys: bytes) -> str:
    return ",".join(key.decode("ascii") for key in keys)


def test_encrypt_decrypt_round_trip():
    cipher = IdNumberCipher.from_config(config(NEW_KEY))
    token = cipher.encrypt(ID_NUMBER)
    assert cipher.decrypt(token) == ID_NUMBER


def test_encrypt_token_hides_plaintext_and_differs_each_time():
    cipher = IdNumberCipher([NEW_KEY])
    token = cipher.encrypt(ID_NUMBER)
    assert token != ID_NUMBER
    assert ID_NUMBER not in token
    assert "49123100" not in token
    assert cipher.encrypt(ID_NUMBER) != token


def test_decrypt_after_new_key_added_in_front_reads_old_tokens():
    # given: a token made before rotation
    old_token = IdNumberCipher.from_config(config(OLD_KEY)).encrypt(ID_NUMBER)
    # when: the new key goes first in the config
    cipher = IdNumberCipher.from_config(f" {config(NEW_KEY)} , {config(OLD_KEY)} ")
    # then
    assert cipher.decrypt(old_token) == ID_NUMBER
    rotated = cipher.rotate(old_token)
    assert rotated != old_token
    assert IdNumberCipher([NEW_KEY]).decrypt(rotated) == ID_NUMBER
    with pytest.raises(IdNumberTokenError):
        IdNumberCipher([NEW_KEY]).decrypt(old_token)


def test_encrypt_with_two_keys_uses_newest():
    token = IdNumberCipher([NEW_KEY, OLD_KEY]).encrypt(ID_NUMBER)
    assert IdNumberCipher([NEW_KEY]).decrypt(token) == ID_NUMBER
    with pytest.raises(IdNumberTokenError):
        IdNumberCipher([OLD_KEY]).decrypt(token)


@pytest.mark.parametrize("token", ["", "not-a-token", "gAAAAAB" + "A" * 80, "令牌"])
def test_decrypt_garbage_raises_token_error(token):
    cipher = IdNumberCipher([NEW_KEY])
    with pytest.raises(IdNumberTokenError):
        cipher.decrypt(token)
    with pytest.raises(IdNumberTokenError):
        cipher.rotate(token)


def test_lookup_hash_stable_and_key_dependent():
    cipher = IdNumberCipher([NEW_KEY])
    digest = cipher.lookup_hash(ID_NUMBER)
    assert digest == IdNumberCipher([NEW_KEY]).lookup_hash(ID_NUMBER)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != IdNumberCipher([OLD_KEY]).lookup_hash(ID_NUMBER)
    assert digest != cipher.lookup_hash("513401199001011230")
    assert ID_NUMBER not in digest


def test_lookup_hash_is_not_keyed_by_the_raw_encryption_key():
    raw = base64.urlsafe_b64decode(NEW_KEY)
    naive = hmac.new(raw, ID_NUMBER.encode(), hashlib.sha256).hexdigest()
    assert IdNumberCipher([NEW_KEY]).lookup_hash(ID_NUMBER) != naive


def test_lookup_hashes_one_per_key_newest_first():
    both = IdNumberCipher([NEW_KEY, OLD_KEY])
    assert both.lookup_hashes(ID_NUMBER) == [
        IdNumberCipher([NEW_KEY]).lookup_hash(ID_NUMBER),
        IdNumberCipher([OLD_KEY]).lookup_hash(ID_NUMBER),
    ]
    assert both.lookup_hash(ID_NUMBER) == both.lookup_hashes(ID_NUMBER)[0]


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        ",",
        "not base64",
        base64.urlsafe_b64encode(b"x" * 16).decode(),  # 16 bytes, too short
        base64.urlsafe_b64encode(b"x" * 33).decode(),  # 33 bytes, too long
        NEW_KEY.decode()[:-2] + "!=",  # stray character
        f"{NEW_KEY.decode()},",  # trailing empty key
        f"{NEW_KEY.decode()},{NEW_KEY.decode()}",  # duplicate
    ],
)
def test_from_config_bad_value_raises_value_error(value):
    with pytest.raises(ValueError):
        IdNumberCipher.from_config(value)


def test_bad_key_error_and_repr_do_not_leak_key_material():
    secret = NEW_KEY.decode()[:-2] + "!="
    with pytest.raises(ValueError) as caught:
        IdNumberCipher.from_config(secret)
    assert secret not in str(caught.value)
    assert NEW_KEY.decode() not in repr(IdNumberCipher([NEW_KEY]))


@pytest.mark.parametrize("keys", [[], NEW_KEY, [b"short"]])
def test_constructor_bad_keys_raise_value_error(keys):
    with pytest.raises(ValueError):
        IdNumberCipher(keys)


def test_standard_base64_key_is_the_same_key_as_its_url_safe_form():
    # given: 32 bytes whose base64 has "+" and "/" (as `openssl rand -base64 32` prints)
    raw = bytes([0xfb, 0xff, 0xbf] * 10 + [0xfb, 0xff])
    standard, url_safe = base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()
    assert "+" in standard and "/" in standard
    # then
    cipher = IdNumberCipher.from_config(standard)
    assert cipher.lookup_hash(ID_NUMBER) == IdNumberCipher.from_config(url_safe).lookup_hash(ID_NUMBER)
    assert IdNumberCipher.from_config(url_safe).decrypt(cipher.encrypt(ID_NUMBER)) == ID_NUMBER


def test_a_key_mixing_both_base64_alphabets_is_refused():
    raw = bytes([0xfb, 0xff, 0xbf] * 10 + [0xfb, 0xff])
    mixed = base64.b64encode(raw).decode().replace("+", "-", 1)
    with pytest.raises(ValueError, match="HOUSEHOLD_ID_KEY"):
        IdNumberCipher.from_config(mixed)


def test_the_app_refuses_to_start_with_a_bad_household_key():
    from marketplace import create_app

    with pytest.raises(RuntimeError, match="HOUSEHOLD_ID_KEY"):
        create_app({"HOUSEHOLD_ID_KEY": "not base64"})
    raw = bytes([0xfb, 0xff, 0xbf] * 10 + [0xfb, 0xff])
    assert create_app({"HOUSEHOLD_ID_KEY": base64.b64encode(raw).decode()}) is not None
