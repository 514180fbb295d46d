"""The API's JSON, written by orjson: what DRF's JSONRenderer writes, several times faster.

An article's span list or a source summary is thousands of values; the
standard library encoder spent longer on them than the database did.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Lazy translations, decimals and the like: as DRF's own encoder writes them.
_fallback = JSONEncoder().default


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        # UTC as "Z" and number keys as strings, like DRF's encoder.
        return orjson.dumps(
            data, default=_fallback, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
        )
