/*
 * A mailslot write as one whole NBT datagram: the packet every sender
 * builds (mailslotd, libmailslot's standalone writer, the tools' standalone
 * modes, the tests).  The SMB is encoded straight into its place after the
 * two names, so nothing is copied twice.
 */
#ifndef MAILSLOT_SMB_MAILSLOT_DGRAM_H
#define MAILSLOT_SMB_MAILSLOT_DGRAM_H

#include <stddef.h>

#include "nbt/codec_error.h"
#include "nbt/nbt_dgram.h"
#include "nbt/nbt_name.h"
#include "smb/smb_mailslot.h"

/* Room for any write within Windows' 512-byte SMB, whatever the names. */
#define SMB_MAILSLOT_DGRAM_MAX (NBT_DGRAM_HEADER_LEN + \
				2 * NBT_NAME_ENCODED_MAX + \
				SMB_MAILSLOT_SMB_LIMIT)

/* Bytes smb_mailslot_dgram_encode() writes for D's names and W. */
size_t smb_mailslot_dgram_encoded_len(const struct nbt_dgram *d,
				      const struct smb_mailslot_write *w);

/*
 * D is a data datagram (0x10-0x12) whose header and names the caller has
 * set (nbt_dgram_init, nbt_name_make); W is the write.  On success D's
 * USER_DATA is a view of the SMB inside BUF, ready for nbt_dgram_fragment().
 */
enum codec_error smb_mailslot_dgram_encode(struct nbt_dgram *d,
					   const struct smb_mailslot_write *w,
					   uint8_t *buf, size_t buflen,
					   size_t *used);

#endif
