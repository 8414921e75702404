from django.urls import path

from sandbox import views
from sandbox.graphql import view as graphql_view

app_name = "sandbox"
urlpatterns = [
    path("", views.goods_out_list, name="goods_out_list"),
    path("goods-outs/<int:goods_out_id>/", views.goods_out_detail, name="goods_out_detail"),
    path("oauth/token", views.token, name="token"),
    path("oauth/authorize", views.authorize, name="authorize"),
    path("oauth/revoke", views.revoke, name="revoke"),
    path("api/goods_outs", views.goods_out_create, name="goods_out_create"),
    # Clarus: two hand-written samples still use /api/v1 (CONTRACT.md §1.5).
    path("api/v1/goods_outs", views.goods_out_create, name="goods_out_create_v1"),
    # Clarus: amending is PATCH on the goods-out (CONTRACT.md §2.1).
    path("api/goods_outs/<int:goods_out_id>", views.goods_out_update, name="goods_out_update"),
    path(
        "api/v1/goods_outs/<int:goods_out_id>",
        views.goods_out_update,
        name="goods_out_update_v1",
    ),
    path(
        "api/goods_outs/<int:goods_out_id>/cancel", views.goods_out_cancel, name="goods_out_cancel"
    ),
    path(
        "api/v1/goods_outs/<int:goods_out_id>/cancel",
        views.goods_out_cancel,
        name="goods_out_cancel_v1",
    ),
    path(
        "api/delivery_addresses",
        views.delivery_address_create,
        name="delivery_address_create",
    ),
    path(
        "api/v1/delivery_addresses",
        views.delivery_address_create,
        name="delivery_address_create_v1",
    ),
    # Clarus: every read is a GraphQL query, POST /graphql (CONTRACT.md §1.4).
    path("graphql", graphql_view.graphql, name="graphql"),
]
