/*
 * SMB mailslot write decoder; decode -> encode -> decode stable, and the
 * in-place datagram encoding carries exactly the SMB encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smb/smb_mailslot_dgram.h"

/* What every sender builds from w: the SMB behind the names, unchanged. */
static void dgram_carries(const struct smb_mailslot_write *w,
			  const uint8_t *smb, size_t smb_len)
{
	struct nbt_dgram d, back;
	size_t len, used;
	uint8_t *pkt;

	nbt_dgram_init(&d, NBT_DGRAM_DIRECT_GROUP, NBT_NODE_B, 1, 0x0a000001,
		       138);
	fuzz_check(nbt_name_make(&d.source, "FUZZSRC", 0x00, NULL) ==
		   CODEC_OK && nbt_name_make(&d.dest, "FUZZWG", 0x1d,
					     NULL) == CODEC_OK,
		   "smb: names");
	len = smb_mailslot_dgram_encoded_len(&d, w);
	pkt = malloc(len);
	fuzz_check(pkt != NULL, "smb: malloc");
	/* one byte short must be refused, not overrun (ASan watches) */
	fuzz_check(smb_mailslot_dgram_encode(&d, w, pkt, len - 1, &used) ==
		   CODEC_ERR_BUFFER_TOO_SMALL, "smb: dgram short buffer");
	if (smb_mailslot_dgram_encode(&d, w, pkt, len, &used) == CODEC_OK) {
		fuzz_check(used == len &&
			   nbt_dgram_decode(pkt, used, &back) == CODEC_OK,
			   "smb: dgram encoding does not decode");
		fuzz_check_same(back.user_data, back.user_data_len, smb,
				smb_len, "smb: dgram USER_DATA is not the SMB");
	}
	free(pkt);
}

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
	dgram_carries(&w1, b1, used1);
done:
	free(b1);
	free(b2);
	return 0;
}
