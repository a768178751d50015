"""The report of a network trained on a corpus: accuracies, confusion matrix, epochs."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from catalog.atlas.models import Network
from catalog.corpora.training import training_page


def training_detail(request, network):
    network = get_object_or_404(Network, name=network)
    context = training_page(network)
    if context is None:
        raise Http404(f"{network.name} was not trained here")
    return render(request, "corpora/training.html", context)
