/* Second-level NetBIOS name decoder; decode -> encode -> decode stable. */
#include <string.h>

#include "fuzz.h"
#include "nbt/nbt_name.h"

int fuzz_nbt_name(const uint8_t *data, size_t size)
{
	struct nbt_name n1, n2;
	uint8_t b1[NBT_NAME_ENCODED_MAX + 1], b2[NBT_NAME_ENCODED_MAX + 1];
	char text[NBT_NAME_TEXT_MAX];
	size_t consumed, used1, used2;

	if (nbt_name_decode(data, size, &n1, &consumed) != CODEC_OK)
		return 0;
	fuzz_check(consumed <= size, "name: consumed beyond the input");
	fuzz_check(nbt_name_format(&n1, text, sizeof(text)) < sizeof(text),
		   "name: text form cut");
	for (size_t i = 0; text[i] != '\0'; i++)
		fuzz_check((unsigned char)text[i] >= 0x20 &&
			   (unsigned char)text[i] != 0x7f,
			   "name: control character in the text form");
	if (nbt_name_encode(&n1, b1, sizeof(b1), &used1) != CODEC_OK)
		return 0;
	fuzz_check(used1 == nbt_name_encoded_len(&n1), "name: encoded_len");
	fuzz_check(nbt_name_decode(b1, used1, &n2, &consumed) == CODEC_OK &&
		   consumed == used1, "name: our encoding does not decode");
	fuzz_check(nbt_name_equal(&n1, &n2) &&
		   memcmp(n1.raw, n2.raw, NBT_NAME_LEN) == 0,
		   "name: round trip changed the name");
	fuzz_check(nbt_name_encode(&n2, b2, sizeof(b2), &used2) == CODEC_OK,
		   "name: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "name: encoding not stable");
	return 0;
}
