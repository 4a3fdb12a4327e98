# syntax=docker/dockerfile:1

# ---------- build stage ----------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Copy only the files needed for restore first so the restore layer is cached
# until a project file or central package version changes.
COPY Directory.Build.props Directory.Packages.props CommunityApp.sln ./
COPY CommunityApp/CommunityApp.csproj CommunityApp/
RUN dotnet restore CommunityApp/CommunityApp.csproj

# Copy the rest of the source and publish.
COPY . .
RUN dotnet publish CommunityApp/CommunityApp.csproj \
        --configuration Release \
        --no-restore \
        --output /app \
        /p:UseAppHost=false

# ---------- runtime stage ----------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080

COPY --from=build /app ./

# The aspnet image ships a non-root "app" user (UID in $APP_UID).
USER $APP_UID

# No HEALTHCHECK: the aspnet base image contains neither curl nor wget.
ENTRYPOINT ["dotnet", "CommunityApp.dll"]
