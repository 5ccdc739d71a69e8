# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN Write-Host `
    hello `
    world
COPY C:\src\app C:\app
WORKDIR C:\app
