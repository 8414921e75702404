from django.urls import path

from orders.views import invitations

app_name = "invitations"
urlpatterns = [
    path("", invitations.invitation_list, name="list"),
    path("<int:invitation_id>/accept/", invitations.invitation_accept, name="accept"),
    path("<int:invitation_id>/decline/", invitations.invitation_decline, name="decline"),
]
