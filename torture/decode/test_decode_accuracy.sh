#!/bin/bash
# mailslot decode --json against tshark -T json on every capture under
# ../shared/captures and every vector (accuracy.py says how).  Skips when
# ../shared or tshark is absent.  Last line: "decode_accuracy: N passed, ..."
HERE=$(cd "$(dirname "$0")" && pwd)
MAILSLOT_SOURCE_DIR=${MAILSLOT_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
MAILSLOT_BUILD_DIR=${MAILSLOT_BUILD_DIR:-$MAILSLOT_SOURCE_DIR/build}
SHARED=${MAILSLOT_SHARED_DIR:-$MAILSLOT_SOURCE_DIR/../shared}
TSHARK=${MAILSLOT_TSHARK:-$(command -v tshark)}

if [ ! -d "$SHARED/captures" ]; then
	echo "SKIPPED: no captures at $SHARED/captures"
	echo "decode_accuracy: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ -z "$TSHARK" ] || [ ! -x "$TSHARK" ]; then
	echo "SKIPPED: tshark not installed (apt-get install tshark)"
	echo "decode_accuracy: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec python3 "$HERE/accuracy.py" "$MAILSLOT_BUILD_DIR/tools/mailslot" \
	"$SHARED" "$TSHARK"
