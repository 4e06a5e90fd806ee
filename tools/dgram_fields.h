/*
 * A decoded datagram as a list of (field, value) pairs, named and
 * formatted as tshark names and prints them (nbdgm.*, smb.*, mailslot.*),
 * so our output can be compared with tshark's field by field.
 */
#ifndef MAILSLOT_DGRAM_FIELDS_H
#define MAILSLOT_DGRAM_FIELDS_H

#include "nbt/nbt_dgram.h"
#include "smb/smb_mailslot.h"

typedef void (*dgram_field_fn)(void *priv, const char *field,
			       const char *value);

/* w may be NULL when USER_DATA is not (or not entirely) a mailslot write. */
void dgram_fields_emit(const struct nbt_dgram *d,
		       const struct smb_mailslot_write *w,
		       dgram_field_fn fn, void *priv);

/* Collected fields, for callers that compare or print them. */
#define DGRAM_FIELDS_MAX 64
struct dgram_field_list {
	const char *names[DGRAM_FIELDS_MAX];
	char values[DGRAM_FIELDS_MAX][NBT_NAME_TEXT_MAX];
	size_t n;
};

/* A dgram_field_fn that appends to a struct dgram_field_list (priv). */
void dgram_field_list_add(void *priv, const char *field, const char *value);

/* The field names dgram_fields_emit can produce, NULL-terminated. */
extern const char *const dgram_field_names[];

#endif
