"""What the channel and circuit pages show of a channel's circuit: its strongest links
with their stills, and the graph of its inputs, their inputs (and theirs), laid out in
columns from the earliest layer on the left to the channel's outputs on the right."""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.atlas.models import Channel, Still
from catalog.corpora.models import Corpus
from catalog.corpora.samples import SAMPLE_CORPUS
from catalog.relations.models import CircuitLink

SHOWN_LINKS = 6  # inputs and outputs listed on a channel page
FAN_IN = (5, 3, 2)  # inputs drawn per node at each level of the circuit page
FAN_OUT = 5
MAX_DEPTH = len(FAN_IN)
NODE = 72  # px of a node's still in the graph
COLUMN = 220  # px between columns
ROW = 96  # px between the nodes of a column
MARGIN = 24


def corpora_with_links(channel: Channel) -> list[Corpus]:
    """The corpora over which this channel's links are known, the sample corpus first."""
    ids = set(CircuitLink.objects.filter(target=channel).values_list("corpus_id", flat=True)) | set(
        CircuitLink.objects.filter(source=channel).values_list("corpus_id", flat=True)
    )
    corpora = list(Corpus.objects.filter(id__in=ids))
    return sorted(corpora, key=lambda corpus: (corpus.name != SAMPLE_CORPUS, corpus.name))


def chosen_corpus(channel: Channel, name: str | None) -> Corpus | None:
    """The corpus called `name` if the channel has links over it, else the first that has."""
    corpora = corpora_with_links(channel)
    for corpus in corpora:
        if corpus.name == name:
            return corpus
    return corpora[0] if corpora else None


@dataclass
class LinkRow:
    """One link as a channel page lists it: the other channel, its still, the weight and
    the bar's length (a share of the strongest link listed)."""

    channel: Channel
    still: Still | None
    weight: float
    share: float

    @property
    def excites(self) -> bool:
        return self.weight > 0


def link_rows(channel: Channel, corpus: Corpus, limit: int = SHOWN_LINKS) -> dict:
    """{"inputs": [LinkRow…], "outputs": [LinkRow…]}, strongest first."""
    inputs = [
        (link.source, link.weight)
        for link in CircuitLink.objects.filter(corpus=corpus).inputs_of(channel)[:limit]
    ]
    outputs = [(link.target, link.weight) for link in
               CircuitLink.objects.filter(corpus=corpus).outputs_of(channel)[:limit]]  # fmt: skip
    stills = Still.thumbnails([other for other, _ in inputs + outputs])
    strongest = max((abs(weight) for _, weight in inputs + outputs), default=1.0) or 1.0

    def rows(pairs):
        return [
            LinkRow(other, stills.get(other.id), weight, abs(weight) / strongest)
            for other, weight in pairs
        ]

    return {"inputs": rows(inputs), "outputs": rows(outputs)}


@dataclass
class Node:
    channel: Channel
    column: int
    row: int = 0
    still: Still | None = None
    x: int = 0
    y: int = 0

    @property
    def label_y(self) -> int:
        return self.y + NODE + 14

    @property
    def key(self) -> int:
        return self.channel.id


@dataclass
class Edge:
    source: Node
    target: Node
    weight: float
    width: float = 1.0

    @property
    def excites(self) -> bool:
        return self.weight > 0

    @property
    def line(self) -> tuple[int, int, int, int]:
        """From the right edge of the source's still to the left edge of the target's."""
        half = NODE // 2
        return (self.source.x + NODE, self.source.y + half, self.target.x, self.target.y + half)


@dataclass
class CircuitGraph:
    """Nodes in columns (0: the earliest inputs … the channel … its outputs) and edges."""

    centre: Node
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    height: int = 0
    depth: int = 2

    @property
    def first_input(self) -> Channel | None:
        return next((e.source.channel for e in self.edges if e.target is self.centre), None)

    @property
    def first_output(self) -> Channel | None:
        return next((e.target.channel for e in self.edges if e.source is self.centre), None)

    def columns(self) -> list[list[Node]]:
        count = max(node.column for node in self.nodes) + 1
        return [[node for node in self.nodes if node.column == c] for c in range(count)]


def circuit_graph(channel: Channel, corpus: Corpus, depth: int = 2) -> CircuitGraph:
    """The channel, its strongest inputs to `depth` levels and its strongest outputs."""
    depth = max(1, min(depth, MAX_DEPTH))
    links = CircuitLink.objects.filter(corpus=corpus)
    centre = Node(channel, column=depth)
    nodes = {channel.id: centre}
    edges: list[Edge] = []
    frontier = [centre]
    for level in range(depth):
        next_frontier = []
        for node in frontier:
            for link in links.inputs_of(node.channel)[: FAN_IN[level]]:
                source = nodes.get(link.source_id)
                if source is None:
                    source = nodes[link.source_id] = Node(link.source, column=depth - level - 1)
                    next_frontier.append(source)
                edges.append(Edge(source, node, link.weight))
        frontier = next_frontier
    for link in links.outputs_of(channel)[:FAN_OUT]:
        target = nodes.get(link.target_id) or Node(link.target, column=depth + 1)
        nodes[link.target_id] = target
        edges.append(Edge(centre, target, link.weight))
    graph = CircuitGraph(centre, list(nodes.values()), edges, depth=depth)
    _lay_out(graph)
    return graph


def _lay_out(graph: CircuitGraph) -> None:
    stills = Still.thumbnails([node.channel for node in graph.nodes])
    columns = graph.columns()
    tallest = max(len(column) for column in columns)
    graph.height = 2 * MARGIN + NODE + (tallest - 1) * ROW
    graph.width = 2 * MARGIN + NODE + (len(columns) - 1) * COLUMN
    for c, column in enumerate(columns):
        column.sort(key=lambda node: (node.channel.layer.position, node.channel.index))
        top = MARGIN + (tallest - len(column)) * ROW // 2
        for r, node in enumerate(column):
            node.row, node.still = r, stills.get(node.channel.id)
            node.x, node.y = MARGIN + c * COLUMN, top + r * ROW
    strongest = max((abs(edge.weight) for edge in graph.edges), default=1.0) or 1.0
    for edge in graph.edges:
        edge.width = 1 + 7 * abs(edge.weight) / strongest
