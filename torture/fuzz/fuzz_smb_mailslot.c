/* SMB mailslot write decoder; decode -> encode -> decode stable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smb/smb_mailslot.h"

int fuzz_smb_mailslot(const uint8_t *data, size_t size)
{
	struct smb_mailslot_write w1, w2;
	uint8_t *b1, *b2;
	size_t len, used1, used2 = 0;

	if (smb_mailslot_decode(data, size, &w1) != CODEC_OK)
		return 0;
	fuzz_check(w1.name >= (const char *)data &&
		   w1.name + w1.name_len < (const char *)data + size &&
		   w1.name[w1.name_len] == '\0',
		   "smb: name view not inside the input or not terminated");
	fuzz_check(w1.data_len == 0 || (w1.data >= data &&
		   w1.data + w1.data_len <= data + size),
		   "smb: data view outside the input");
	fuzz_check(w1.wire.smb_len <= size, "smb: smb_len beyond the input");
	len = smb_mailslot_encoded_len(&w1);
	b1 = malloc(len + 1);
	b2 = malloc(len + 1);
	fuzz_check(b1 != NULL && b2 != NULL, "smb: malloc");
	if (smb_mailslot_encode(&w1, b1, len, &used1) != CODEC_OK)
		goto done;
	fuzz_check(used1 == len, "smb: encoded_len disagrees");
	fuzz_check(smb_mailslot_decode(b1, used1, &w2) == CODEC_OK,
		   "smb: our encoding does not decode");
	fuzz_check(w1.name_len == w2.name_len &&
		   memcmp(w1.name, w2.name, w1.name_len) == 0 &&
		   w1.data_len == w2.data_len &&
		   (w1.data_len == 0 ||
		    memcmp(w1.data, w2.data, w1.data_len) == 0) &&
		   w1.priority == w2.priority &&
		   w1.mailslot_class == w2.mailslot_class,
		   "smb: round trip changed name, data or setup");
	fuzz_check(smb_mailslot_encode(&w2, b2, len, &used2) == CODEC_OK,
		   "smb: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "smb: encoding not stable");
done:
	free(b1);
	free(b2);
	return 0;
}
