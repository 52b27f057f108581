"""The index of map layers: what each is and where its TileJSON, tiles and collection are."""

from tiles.registry import Layer
from tiles.schemas import LayerIndex, LayerInfo, LayerParameterInfo
from tiles.tilejson import tile_url


def layer_index(base_url: str, layers: dict[str, Layer]) -> LayerIndex:
    """Return every layer of ``layers`` with its URLs under ``base_url``."""
    return LayerIndex(
        layers=[
            LayerInfo(
                id=layer.id,
                title=layer.title,
                description=layer.description,
                geometry_type=layer.geometry_type,
                minzoom=layer.minzoom,
                maxzoom=layer.maxzoom,
                tilejson=f"{base_url}/tiles/{layer.id}.json",
                tiles=tile_url(base_url, layer, tuple(p.default for p in layer.parameters)),
                ogc_collection=f"{base_url}/ogc/collections/{layer.id}",
                parameters=[
                    LayerParameterInfo(
                        name=p.name,
                        type=p.type.__name__,
                        default=p.default,
                        minimum=p.minimum,
                        maximum=p.maximum,
                        description=p.description,
                    )
                    for p in layer.parameters
                ],
            )
            for layer in layers.values()
        ]
    )
