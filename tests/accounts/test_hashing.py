import unicodedata

from haven.accounts.passwords import hash_password, verify_password


async def test_hashes_are_argon2id_and_never_hold_the_password():
    stored = await hash_password("Correct-Horse-42!")
    assert stored.startswith("$argon2id$") and "Horse" not in stored


async def test_the_same_letters_typed_two_ways_are_the_same_password():
    composed = "Café-Terrasse-42!"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert await verify_password(await hash_password(composed), decomposed)


async def test_a_wrong_password_or_a_missing_hash_does_not_verify():
    stored = await hash_password("Correct-Horse-42!")
    assert not await verify_password(stored, "correct-horse-42!")
    assert not await verify_password(None, "anything")
    assert not await verify_password("not a hash", "anything")
