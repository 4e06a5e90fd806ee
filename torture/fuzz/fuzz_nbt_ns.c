/* Name service packets (UDP 137); decode -> encode -> decode stable. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nbt/nbt_ns.h"

int fuzz_nbt_ns(const uint8_t *data, size_t size)
{
	/* ~10 KB each: keep them off the stack */
	static struct nbt_ns_packet p1, p2;
	uint8_t *b1 = NULL, *b2 = NULL;
	size_t len, used1, used2 = 0;

	if (nbt_ns_decode(data, size, &p1) != CODEC_OK)
		return 0;
	(void)nbt_ns_opcode_name(p1.opcode);
	(void)nbt_ns_rcode_name(p1.rcode);
	len = nbt_ns_encoded_len(&p1);
	b1 = malloc(len + 1);
	b2 = malloc(len + 1);
	fuzz_check(b1 != NULL && b2 != NULL, "ns: malloc");
	if (nbt_ns_encode(&p1, b1, len, &used1) != CODEC_OK)
		goto done;
	fuzz_check(used1 == len, "ns: encoded_len disagrees");
	fuzz_check(nbt_ns_decode(b1, used1, &p2) == CODEC_OK,
		   "ns: our encoding does not decode");
	fuzz_check(p1.id == p2.id && p1.response == p2.response &&
		   p1.opcode == p2.opcode && p1.rcode == p2.rcode &&
		   p1.has_question == p2.has_question &&
		   p1.has_answer == p2.has_answer &&
		   p1.has_additional == p2.has_additional,
		   "ns: header changed");
	if (p1.has_question)
		fuzz_check(nbt_name_equal(&p1.question_name, &p2.question_name),
			   "ns: question name changed");
	fuzz_check(nbt_ns_encode(&p2, b2, len, &used2) == CODEC_OK,
		   "ns: re-encode failed");
	fuzz_check_same(b1, used1, b2, used2, "ns: encoding not stable");
done:
	free(b1);
	free(b2);
	return 0;
}
